"""The operations layer: the only code that writes to the register. Each write is audited in the same transaction."""
