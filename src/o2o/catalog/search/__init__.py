"""Product search: tokenised names with pinyin (text), one repository per database (repository), the use
cases (service), shapes (schemas) and the API (routes)."""
