"""The privacy notice from the register (UK GDPR Arts. 13 and 14), and a published notice checked against it.

Pure: dump-form register in, a structured notice or a list of gaps out. No Flask, no database session.
"""
