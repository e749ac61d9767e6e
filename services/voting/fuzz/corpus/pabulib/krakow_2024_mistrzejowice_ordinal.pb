META
key;value
description;District PB in Kraków, Mistrzejowice
country;Poland
unit;Kraków
district;Mistrzejowice
subunit;Mistrzejowice
instance;2024
num_projects;25
num_votes;2719
budget;1874242.57
vote_type;ordinal
rule;greedy
date_begin;13.09.2024
date_end;27.09.2024
min_length;3
max_length;3
edition;11
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;score;name;category;selected
BO.D15.32/24;749697;1614;3406;Tężnia na Plantach Mistrzejowickich;health;1
BO.D15.12/24;56000;525;1198;Nowe zbiory, kody do ebooków oraz prasa w Filii 48 i 49 BK;culture;1
BO.D15.30/24;230700;475;1158;Piłkarskie marzenia na Złotym Wieku;sport;1
BO.D15.14/24;490000;502;966;Rozświetlmy Mistrzejowice! Nowe lampy=większe bezpieczeństwo;infrastructure;1
BO.D15.35/24;300000;469;904;Miasteczko rowerowe w Mistrzejowicach;bicycle infrastructure;1
BO.D15.2/24;285000;446;892;Doświetlenie przejść dla pieszych- BEZPIECZNA ZEBRA;security;0
BO.D15.8/24;60000;399;839;Słoneczna Strefa na Piastów;society;0
BO.D15.10/24;749697;419;773;Tańczące fontanny w Parku Tysiąclecia;culture;0
VOTES
voter_id;vote;age;sex
4;BO.D15.35/24,BO.D15.27/24,BO.D15.32/24;46;M
120;BO.D15.32/24,BO.D15.10/24,BO.D15.1/24;35;M
155;BO.D15.3/24,BO.D15.4/24,BO.D15.26/24;56;F
187;BO.D15.12/24,BO.D15.23/24,BO.D15.26/24;45;M
258;BO.D15.32/24,BO.D15.33/24,BO.D15.12/24;27;F
266;BO.D15.12/24,BO.D15.32/24,BO.D15.10/24;53;F
271;BO.D15.12/24,BO.D15.8/24,BO.D15.20/24;41;F
273;BO.D15.12/24,BO.D15.9/24,BO.D15.28/24;34;F
399;BO.D15.19/24,BO.D15.16/24,BO.D15.10/24;23;M
403;BO.D15.14/24,BO.D15.7/24,BO.D15.32/24;63;F
409;BO.D15.14/24,BO.D15.3/24,BO.D15.32/24;19;M
431;BO.D15.32/24,BO.D15.6/24,BO.D15.8/24;9;F
