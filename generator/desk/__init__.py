"""The editorial desk on GitHub (CONTRIBUTING.md, "For editors"; docs/architecture.md).

- `scores`: the rubric scores a reviewer writes in a GitHub review ("Scores" heading, one
  `- item: N/M` line each), parsed into a record's `scores:` by `review import`;
- `templates`: the pull-request and issue templates generated from site.yaml;
- `commands`, `ledger`, `run`: editors' `/peerpress ...` comments on pull requests, their
  authorization by the editor role, and their effects as files under `desk/` on main;
- `overdue`: assigned reviews past `review.deadline_days`;
- `comment`: the sticky status comment (`peerpress review status --format github-comment`).

Nothing here talks to GitHub: the workflows in .github/ carry events in and comments out, so every
part is tested offline against GitHub's published payload examples.
"""
