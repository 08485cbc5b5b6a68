"""The site's database plumbing, below every app: the SQLite backend whose writers queue on
a lock of the site's own (sqlite/), the router that sends reads to PostgreSQL replicas
when they may lag (replicas.py), and copying the database to a file and back
(backups.py).

settings.py names them: DATABASES' ENGINE `broadsheet.db.sqlite` for SQLite,
DATABASE_ROUTERS and MIDDLEWARE for the replicas; `broadsheet backup` and `restore` call
backups.py. A plain package, not an installed app: no models, templates or checks. It
builds on lib and asks the page cache one thing (`pagecache.rendering_for_cache()`, in
replicas.py); neither imports it.
"""
