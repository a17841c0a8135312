# release — ru
