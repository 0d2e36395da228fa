"""The web page's assets (CSS, JavaScript, icon) and the bundled diagram queries.

Served by ``kg serve`` itself from this package: no CDN, works offline.
"""
