META
key;value
description;2022 Jersey City Ward B
country;US
unit;Stanford Dataset
subunit;vote knapsacks
instance;2022 Jersey City Ward B
num_projects;7
num_votes;127
budget;50000
vote_type;approval
rule;unknown
date_begin;2022
date_end;2022
language;en
currency;USD
comment;#1: This instance has not been fully validated. #2: The rule is unknown, however, it was most likely a greedy rule.
acknowledgments;This dataset is due to: Gelauff, L. and Goel, A. (2024). Participatory Budgeting Preferences Data Set. Stanford Digital Repository.
PROJECTS
project_id;cost;votes
2931;50000;49
2933;50000;34
2930;50000;17
2934;50000;16
2929;15000;10
2932;10000;10
2935;10000;10
VOTES
voter_id;vote
232-0;2934
232-1;2929,2932,2935
232-10;2933
232-100;2933
232-101;2933
232-102;2931
232-103;2933
232-104;2930
232-105;2931
232-106;2930
232-107;2931
232-108;2930
232-109;2931
232-11;2931
232-110;2930
