# release — uk
