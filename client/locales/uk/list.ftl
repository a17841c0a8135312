# list — uk
