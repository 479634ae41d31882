"""What changes funds, calls, applications, reviews and tranches: each write one transaction,
checked against the rules in it (opc.funds.operations.<part>)."""
