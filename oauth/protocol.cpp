// Placeholder: the protocol pieces land here (split into files as they grow).
