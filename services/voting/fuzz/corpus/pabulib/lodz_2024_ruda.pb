META
key;value
description;Local PB in Łódź, Górna | Ruda
country;Poland
unit;Łódź
district;Górna
subunit;Ruda
instance;2024
num_projects;15
num_votes;1250
budget;605000
vote_type;approval
rule;greedy-threshold
date_begin;01.10.2024
date_end;28.10.2024
max_length;5
min_project_score_threshold;50
edition;12
language;pl
currency;PLN
comment;#1: Due to regulations mandating a minimum of 50 votes for funding, some projects were not selected even though there was some money left.
PROJECTS
project_id;cost;votes;name;category;selected
G039RU;13000;485;Nasadzenia antysmogowe dla Rudy;environmental protection;1
G125RU;187000;419;RUDA - Ławki i kosze na śmieci;municipal infrastructure and security;1
G007RU;50000;404;Zielona ul. Pabianicka - drzewa i krzewy w pasie rozdziału - Ruda;environmental protection;1
G112RU;8000;401;Zadbajmy o Uroczysko Przy Rudzkiej;environmental protection;1
G094RU;440000;385;Zagospodarowanie Parku Leśnego Wyścigi – Etap II;environmental protection;0
G178RU;73000;218;BEZPIECZNIE DO SZKOŁY NA RUDZIE;public transit and roads;1
VOTES
voter_id;vote;age;sex;voting_method
1401812901;G019RU,G029RU,G125RU,G178RU;61;M;internet
1401813043;G112RU;50;F;internet
1401813083;G044RU,G149RU;28;M;internet
1401813161;G039RU,G094RU,G112RU;34;F;internet
1401813226;G125RU;47;M;internet
1401813391;G019RU;38;F;internet
1401813558;G007RU,G018RU,G094RU,G125RU;38;M;internet
1401813564;G044RU,G149RU;47;F;internet
1401813687;G007RU,G039RU,G053RU,G094RU,G125RU;15;M;internet
1401813695;G007RU,G039RU,G053RU,G094RU,G112RU;49;F;internet
