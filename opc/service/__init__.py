"""The service workstation: residents' requests, answered within SLAs on the park's
working calendar."""
