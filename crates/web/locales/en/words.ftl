# Words the code fills in: topics, days, months, times, languages, accessibility.

word-and = and
word-or = or
decimal-separator = .

# Topics, by code. A topic not listed here keeps the label it was given in the admin pages.
topic-overheid = Government and benefits
topic-belastingen-toeslagen = Taxes and allowances
topic-digid = DigiD
topic-uitkering-pensioen = Benefits and pension
topic-zorg = Care and health insurance
topic-studie = Student finance
topic-vervoer = Driving licence, car and fines
topic-gemeente-zaken = Matters with the municipality
topic-itsme = itsme (signing in, Belgium)
topic-tax-on-web = Tax-on-web (tax return, Belgium)
topic-myminfin = MyMinfin (your tax file, Belgium)
topic-e-loket = E-loket of your municipality (Belgium)
topic-geld = Money and banking
topic-bankzaken = Banking
topic-geldzaken-schulden = Making ends meet and debts
topic-apparaten = Phone, computer and internet
topic-telefoon-tablet = Setting up a phone or tablet
topic-email-internet = E-mail and internet
topic-veilig-online = Safe online
topic-wonen = Housing and rent

weekday-mon = Monday
weekday-tue = Tuesday
weekday-wed = Wednesday
weekday-thu = Thursday
weekday-fri = Friday
weekday-sat = Saturday
weekday-sun = Sunday

week-of-month-1 = first
week-of-month-2 = second
week-of-month-3 = third
week-of-month-4 = fourth
week-of-month-last = last
hours-monthly = Every { $week } { $weekday } of the month, { $times }

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

date = { $weekday } { $day } { $month }
date-with-year = { $weekday } { $day } { $month } { $year }

open-now = Open now until { $end }
open-today = Open today from { $start } to { $end }
open-tomorrow = Open tomorrow from { $start } to { $end }
open-on = Open on { $date } from { $start } to { $end }
hours-unknown = No opening hours known
hours-closed = closed
hours-appointment = by appointment only
hours-walk-in = you can walk in

access-step_free = No stairs (wheelchair or walker)
access-accessible_toilet = Toilet for wheelchair users
access-hearing_loop = Induction loop for hearing aids
access-quiet_room = Quiet room

spoken-language-nl = Dutch
spoken-language-en = English
spoken-language-fr = French
spoken-language-de = German
spoken-language-ar = Arabic
spoken-language-tr = Turkish
spoken-language-pl = Polish
spoken-language-ro = Romanian
spoken-language-bg = Bulgarian
spoken-language-uk = Ukrainian
spoken-language-ru = Russian
spoken-language-ti = Tigrinya
spoken-language-so = Somali
spoken-language-es = Spanish
spoken-language-pt = Portuguese
spoken-language-zgh = Berber (Tamazight)
spoken-language-pap = Papiamento
spoken-language-srn = Sranan Tongo
spoken-language-fa = Persian
spoken-language-zh = Chinese
