"""minzheng: an open-source civil-affairs (民政) platform."""
