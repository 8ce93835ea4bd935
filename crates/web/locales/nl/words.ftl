# Woorden die de code invult: onderwerpen, dagen, maanden, tijden, talen, toegankelijkheid.

word-and = en
word-or = of
decimal-separator = ,

# Onderwerpen, op code. Een onderwerp dat hier niet staat, houdt het label uit het beheer.
topic-overheid = Overheid en regelingen
topic-belastingen-toeslagen = Belastingen en toeslagen
topic-digid = DigiD
topic-uitkering-pensioen = Uitkering en pensioen
topic-zorg = Zorg en zorgverzekering
topic-studie = Studiefinanciering
topic-vervoer = Rijbewijs, auto en boetes
topic-gemeente-zaken = Zaken bij de gemeente
topic-itsme = itsme (inloggen in België)
topic-tax-on-web = Tax-on-web (belastingaangifte in België)
topic-myminfin = MyMinfin (uw belastingdossier in België)
topic-e-loket = E-loket van uw gemeente (België)
topic-geld = Geld en bankzaken
topic-bankzaken = Bankzaken
topic-geldzaken-schulden = Rondkomen en schulden
topic-apparaten = Telefoon, computer en internet
topic-telefoon-tablet = Telefoon of tablet instellen
topic-email-internet = E-mail en internet
topic-veilig-online = Veilig online
topic-wonen = Wonen en huur

weekday-mon = maandag
weekday-tue = dinsdag
weekday-wed = woensdag
weekday-thu = donderdag
weekday-fri = vrijdag
weekday-sat = zaterdag
weekday-sun = zondag

week-of-month-1 = eerste
week-of-month-2 = tweede
week-of-month-3 = derde
week-of-month-4 = vierde
week-of-month-last = laatste
hours-monthly = Elke { $week } { $weekday } van de maand, { $times }

month-1 = januari
month-2 = februari
month-3 = maart
month-4 = april
month-5 = mei
month-6 = juni
month-7 = juli
month-8 = augustus
month-9 = september
month-10 = oktober
month-11 = november
month-12 = december

date = { $weekday } { $day } { $month }
date-with-year = { $weekday } { $day } { $month } { $year }

open-now = Nu open tot { $end }
open-today = Vandaag open van { $start } tot { $end }
open-tomorrow = Morgen open van { $start } tot { $end }
open-on = Open op { $date } van { $start } tot { $end }
hours-unknown = Geen openingstijden bekend
hours-closed = gesloten
hours-appointment = alleen op afspraak
hours-walk-in = u kunt zo binnenlopen

access-step_free = Zonder trappen bereikbaar
access-accessible_toilet = Toilet voor rolstoelgebruikers
access-hearing_loop = Ringleiding voor hoortoestellen
access-quiet_room = Stille ruimte

spoken-language-nl = Nederlands
spoken-language-en = Engels
spoken-language-fr = Frans
spoken-language-de = Duits
spoken-language-ar = Arabisch
spoken-language-tr = Turks
spoken-language-pl = Pools
spoken-language-ro = Roemeens
spoken-language-bg = Bulgaars
spoken-language-uk = Oekraïens
spoken-language-ru = Russisch
spoken-language-ti = Tigrinya
spoken-language-so = Somalisch
spoken-language-es = Spaans
spoken-language-pt = Portugees
spoken-language-zgh = Berbers (Tamazight)
spoken-language-pap = Papiaments
spoken-language-srn = Sranantongo
spoken-language-fa = Perzisch
spoken-language-zh = Chinees
