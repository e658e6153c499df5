"""Pure formats of the register: the field catalogue, CSV and JSON reading and writing. No Flask, no database."""
