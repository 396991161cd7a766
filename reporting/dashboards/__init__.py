"""The pages that gather every app's data for one reader: the front page (regions and
hankkeet with their counts and lights), the hanke page, its actions and goals, and "My
work". Their URL names keep the objectives namespace they had."""
