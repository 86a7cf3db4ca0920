"""Product search: names tokenised with pinyin (kernel.searchtext), one repository per database
(repository), the use cases (service), shapes (schemas) and the API (routes)."""
