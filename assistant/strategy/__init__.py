"""The strategy map (a use case beside goals): the company's strategy as structured, cited data
built from the indexed documents by rules, stored in the database, confirmed by a person."""
