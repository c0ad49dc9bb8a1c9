"""`peerpress import jekyll|hugo|wordpress`: move a blog, its people and its reviews into Peerpress.

Each reader (jekyll.py, hugo.py, wordpress.py) turns a source into `common.Imported` posts; plan.py
works out every file, person and review record to write; people.py edits site.yaml; apply writes
(or, for a dry run, only lists) what changed, so running an import twice changes nothing.
"""
