# model — uk
