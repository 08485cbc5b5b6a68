"""Broadsheet: publishing and reader discussion for campaigning organisations and newsrooms."""
