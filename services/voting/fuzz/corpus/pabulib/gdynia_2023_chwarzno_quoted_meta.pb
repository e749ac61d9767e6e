META
key;value
description;Local PB in Gdynia, Chwarzno-Wiczlino | small
country;Poland
unit;Gdynia
district;Chwarzno-Wiczlino
subunit;Chwarzno-Wiczlino | small
instance;2023
num_projects;15
num_votes;3633
budget;116996
vote_type;approval
rule;greedy-no-skip
date_begin;04.09.2023
date_end;19.09.2023
min_length;1
max_length;3
min_project_score_threshold;50
subdistricts;True
edition;10
language;pl
currency;PLN
comment;"#1: Projects marked with selected=2 were funded as additional turnout-award projects under Gdynia's ""Projekt +1"" rule: one extra large project and two extra small projects are implemented in the districts with the highest voting turnout, using city funds outside the regular BO allocation."
PROJECTS
project_id;cost;votes;name;selected
2023/CHW/0020;20000;1331;Piknik rodzinny z grami i zabawami dla najmłodszych, wizytą Straży Pożarnej oraz sąsiedzką wymianą rzeczy;1
2023/CHW/0021;14300;1303;Kino plenerowe dla dzieci i dorosłych - projekcja sześciu filmów;1
2023/CHW/0008;20000;1011;Festyn sportowy dla dzieci;1
2023/CHW/0013;8500;985;Sprzątnie dzielnicy - edycja wiosna i jesień;1
2023/CHW/0003;15000;860;Dzielnicowy festiwal zabawek dmuchanych z elementami rywalizacji sportowej - Gdynia Chwarzno-Wiczlino;1
VOTES
voter_id;vote;age;sex;voting_method
37;2023/CHW/0003,2023/CHW/0013,2023/CHW/0020;35;M;internet
41;2023/CHW/0003,2023/CHW/0004,2023/CHW/0020;40;F;internet
43;2023/CHW/0013;39;M;internet
50;2023/CHW/0003,2023/CHW/0020,2023/CHW/0021;33;M;internet
55;2023/CHW/0003,2023/CHW/0007,2023/CHW/0021;48;M;internet
63;2023/CHW/0004,2023/CHW/0008,2023/CHW/0014;40;F;internet
73;2023/CHW/0002,2023/CHW/0012,2023/CHW/0021;40;F;internet
78;2023/CHW/0021;36;M;internet
80;2023/CHW/0008,2023/CHW/0014,2023/CHW/0017;39;M;internet
93;2023/CHW/0002,2023/CHW/0003,2023/CHW/0008;57;F;internet
