# form — uk
