"""Finland's conventions for dates, times and numbers in each language (FORMAT_MODULE_PATH).

Finnish: 3.12.2026 and 17.00; Swedish (Finland): 3.12.2026 and 17:00; English: 3 Dec 2026 and
17:00. Weeks start on Monday and numbers are written 1 234,5 in Finnish and Swedish, 1,234.5 in
English. Templates use the named formats (DATE_FORMAT, SHORT_DATETIME_FORMAT, ...), never their
own format strings.
"""
