"""The Northgate Courier: the sample newsroom that `broadsheet demo-content` loads.

`content` holds the people, topics and article texts (Markdown files in `articles/`, all
invented); `install` writes them to the database. Nothing else in Broadsheet imports this
package, so a site that never runs the demo never touches it.
"""
