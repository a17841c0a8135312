# detail — uk
