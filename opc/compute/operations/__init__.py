"""Every change to compute subsidies, by subject: programmes, vouchers, usage, alerts and
settlements. Import the functions from their modules (opc.compute.operations.vouchers …)."""
