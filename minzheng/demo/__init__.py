"""The generated demo county: residents, department feeds, demo accounts, `minzheng demo`."""
