"""Token discussions: topics, threaded comments, reactions, drafts."""
