# release — en
