# De pagina van een hulppunt en het formulier "Klopt er iets niet?".

hp-address = Adres
hp-map-link = Bekijk op de kaart (OpenStreetMap)
hp-phone = Telefoon: { $phone }
hp-email = E-mail:
hp-website = Website:
hp-hours = Openingstijden
hp-holidays = Op feestdagen is dit hulppunt dicht, tenzij hierboven anders staat.
hp-topics = Hier krijgt u hulp bij
hp-partner-hours = Spreekuren van andere organisaties
hp-bring = Wat neemt u mee?
hp-languages = Talen
hp-languages-text = U kunt hier hulp krijgen in het { $languages }.
hp-access = Toegankelijkheid
hp-last-checked = Deze gegevens zijn voor het laatst gecontroleerd op { $date }.
hp-never-checked = Deze gegevens zijn nog niet gecontroleerd.
hp-search-again = Zoek een ander hulppunt

report-heading = Klopt er iets niet?
report-thanks = Bedankt. Wij geven uw melding door aan het hulppunt.
report-intro = Is een tijd of adres verkeerd? Laat het ons weten. Schrijf geen naam of telefoonnummer.
report-label = Wat klopt er niet?
report-submit = Melding versturen
report-too-long = Schrijf kort wat er niet klopt (hoogstens { $max } tekens).
hp-want-help = Ik wil hulp: bel of mail mij terug
hp-exceptions = Dagen met andere tijden
hp-stops = Waar staat het hulppunt wanneer?
hp-contact = Contact
hp-not-at-address = Het hulppunt komt naar u toe. Op dit adres krijgt u geen hulp.
# De eerstvolgende halte van een bus of pop-up: "Morgen open van 10:00 tot 12:00, bij Buurthuis Pernis".
hp-next-stop = { $when }, bij { $place }
report-paused = keten wordt bijgewerkt. Over een paar minuten kunt u hier weer melden wat er niet klopt.
