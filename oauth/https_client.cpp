// Placeholder: the HTTPS client lands here.
