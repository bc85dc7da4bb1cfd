-- theme_labels: the exclusion-theme taxonomy in its reading order.
-- Parameters: none.
select theme, label, description
from themes
order by position
