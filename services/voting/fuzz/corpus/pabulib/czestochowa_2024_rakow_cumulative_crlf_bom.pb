META
key;value
description;District PB in Częstochowa, Raków
country;Poland
unit;Częstochowa
district;Raków
subunit;Raków
instance;2024
num_projects;23
num_votes;1777
budget;458964
vote_type;cumulative
rule;greedy
date_begin;07.09.2023
date_end;21.09.2023
max_sum_points;10
edition;10
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;score;name;selected
353;61000;338;2889;Z BIBLIOTEKĄ PO SĄSIEDZKU – SEZON JUBILEUSZOWY;1
422;170000;275;2556;Toalety przyjazne dzieciom , bezpieczeństwo + higiena = zdrowie;1
47;59400;225;1714;Festiwale i Koncerty na Rakowie!;1
571;26500;165;1176;Bezpieczna szkoła, montaż systemu kontroli dostępu do Szkoły Podstawowej nr 34 im. Aleksandra hr. Fredry;1
315;110000;112;956;Bezpiecznie do przedszkola - modernizacja chodnika;1
570;100000;138;910;Nowoczesna biblioteka w Szkole Podstawowej nr 34 im. Aleksandra hr. Fredry w Częstochowie;0
269;67000;97;883;Centrum informatyczne dla przedszkolaków, uczniów i seniorów w dzielnicy Raków w Zespole Szkolno–Przedszkolnym nr 3 w Częstochowie;0
665;6000;134;834;Kastracja i sterylizacja kotów wolnożyjących;1
VOTES
voter_id;vote;points;sex;voting_method
40;422;10;F;internet
68;284;10;M;internet
72;422;10;F;internet
77;665;10;F;internet
79;422;10;F;internet
85;422;10;F;internet
93;422;10;M;internet
94;455;10;F;internet
106;399;10;F;internet
110;422;10;F;internet
111;47;10;F;internet
114;47,518;5,5;M;internet
