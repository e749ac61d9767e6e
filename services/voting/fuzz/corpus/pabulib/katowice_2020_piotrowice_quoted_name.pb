META
key;value
description;District PB in Katowice, Piotrowice-Ochojec
country;Poland
unit;Katowice
district;Piotrowice-Ochojec
subunit;Piotrowice-Ochojec
instance;2020
num_projects;15
num_votes;3043
budget;806966
vote_type;cumulative
rule;greedy-threshold
date_begin;07.09.2020
date_end;20.09.2020
min_sum_points;1
max_sum_points;3
min_project_score_threshold;50
edition;7
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;score;name;selected;latitude;longitude
L19/14/VII;277400;664;1519;Zielona klasa - ekologiczna infrastruktura wokół Szkoły Podstawowej nr 27. Bezpieczna i nowoczesna szkoła w Piotrowicach;1;50.205695;18.986609
L19/05/VII;74360;620;1509;Aktywny Senior 55+ pakiet zajęć ruchowych, językowych, warsztaty, biesiadowanie przy muzyce, wyjścia do kina, teatru, filharmonii itp. oraz wycieczki skierowane do osób zamieszkujących w dzielnicach Piotrowice i Ochojec;1;50.212522482125095;18.979402614058927
L19/02/VII;230000;538;1467;Multimedialna szkoła - nowoczesna szkoła XXI wieku;1;50.207865230958305;18.96329863113351
L19/12/VII;38000;614;1157;Ptaki wracają do naszych Piotrowic;1;50.20614;18.967883
L19/11/VII;30000;264;642;"""Kodowanie ścieżki przedszkolaka"" - doposażenie Miejskiego Przedszkola nr 84 w Katowicach w pomoce dydaktyczne do nauki kodowania i programowania";1;50.211507;18.981473
VOTES
voter_id;vote;points;age;sex
1400794657;L19/04/VII,L19/06/VII;2,1;42;F
1400794662;L19/04/VII,L19/06/VII;2,1;4;F
1400794688;L19/12/VII,L19/17/VII;2,1;28;F
1400794730;L19/11/VII;3;34;F
1400794738;L19/02/VII;3;23;M
1400794809;L19/02/VII;3;39;F
1400794813;L19/02/VII;3;9;F
1400794836;L19/02/VII;3;40;M
1400794861;L19/02/VII;3;41;F
1400794884;L19/02/VII;3;69;M
