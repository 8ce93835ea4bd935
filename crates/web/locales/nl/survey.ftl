# The visitor impact survey: the public form behind a help point's QR code, and its answers.

survey-title = Wat vond u van de hulp?
survey-intro = { $point } wil graag weten of de hulp goed was. Het duurt 1 minuut.
survey-anonymous = U hoeft uw naam niet te geven. Wij bewaren alleen uw antwoorden en de dag. Niet wie u bent, niet uw IP-adres en niet het tijdstip.
survey-skip = U mag een vraag overslaan.
survey-submit = Versturen
survey-errors-heading = Dit moet nog worden verbeterd:
survey-error-empty = Kies bij minstens één vraag een antwoord.
survey-error-value = Kies een van de antwoorden.
survey-error-cookie = Uw browser stuurde geen cookie mee. Wij gebruiken één cookie, zodat niemand heel vaak kan invullen. Druk nog een keer op Versturen.

survey-q-helped = Bent u vandaag geholpen?
survey-q-self_next = Kunt u het de volgende keer zelf?
survey-q-feeling = Hoe voelde u zich bij de hulp?
survey-q-recommend = Komt u nog eens terug? Of vertelt u anderen over ons?
survey-q-heard_via = Hoe hoorde u van dit hulppunt?
survey-q-age_band = Hoe oud bent u?

survey-opt-helped-yes = Ja
survey-opt-helped-partly = Een beetje
survey-opt-helped-no = Nee
survey-opt-self_next-yes = Ja, dat kan ik zelf
survey-opt-self_next-with_help = Met een beetje hulp
survey-opt-self_next-no = Nee, nog niet
survey-opt-feeling-good = Goed
survey-opt-feeling-neutral = Gewoon
survey-opt-feeling-bad = Niet goed
survey-opt-recommend-yes = Ja
survey-opt-recommend-maybe = Misschien
survey-opt-recommend-no = Nee
survey-opt-heard_via-library = Bij de bibliotheek
survey-opt-heard_via-municipality = Van de gemeente
survey-opt-heard_via-organisation = Een andere organisatie stuurde mij
survey-opt-heard_via-family_friends = Van familie, vrienden of buren
survey-opt-heard_via-internet = Op internet
survey-opt-heard_via-other = Anders
survey-opt-age_band-0-17 = Jonger dan 18
survey-opt-age_band-18-34 = 18 tot 35 jaar
survey-opt-age_band-35-49 = 35 tot 50 jaar
survey-opt-age_band-50-64 = 50 tot 65 jaar
survey-opt-age_band-65-74 = 65 tot 75 jaar
survey-opt-age_band-75plus = 75 jaar of ouder

survey-thanks-title = Dank u wel!
survey-thanks-text = Uw antwoorden zijn opgeslagen. Zo kan { $point } de hulp nog beter maken.
survey-thanks-again = Nog iemand laten meedoen
survey-wait-title = U heeft net al meegedaan
survey-wait-text = Dank u! Wil iemand anders op dit apparaat meedoen? Wacht dan één minuut.
survey-full-title = Het is nu heel druk
survey-full-text = Er zijn dit uur al heel veel antwoorden gegeven. Probeer het later nog eens.
survey-gone = Deze enquête is gesloten. Vraag bij het hulppunt naar een nieuwe.
