// Placeholder: the vault lands here.
