# "Ik wil hulp": the resident's own request to be called back, and its confirmation.

resident-title = Ik wil hulp
resident-intro-nearby = Vul dit in. Een hulppunt bij u in de buurt belt of mailt u dan terug. Dat is gratis.
resident-intro-point = Vul dit in. { $point } belt of mailt u dan terug. Dat is gratis.
resident-errors-heading = Dit moet nog worden verbeterd:
resident-topics = Waarmee wilt u hulp?
resident-reason = Wat wilt u nog vertellen? (niet verplicht)
resident-name = Uw naam
resident-contact = Hoe kunnen wij u bereiken? Vul uw telefoonnummer óf uw e-mailadres in.
resident-phone = Telefoonnummer
resident-email = E-mailadres
resident-moment = Wanneer kunnen wij u het best bellen?
resident-moment-any = Maakt niet uit
resident-moment-morning = 's Ochtends
resident-moment-afternoon = 's Middags
resident-moment-evening = 's Avonds
resident-pc4 = De vier cijfers van uw postcode
resident-pc4-hint = Bijvoorbeeld 3011. Dan zoeken wij een hulppunt dichtbij.
# Must say what keten_core::referral::RESIDENT_CONSENT_TEXT says (the version that is recorded).
resident-consent = Ja, het hulppunt mag mijn naam, telefoonnummer of e-mailadres en mijn vraag gebruiken om mij te helpen. Niemand anders krijgt mijn gegevens. Na 90 dagen wissen ze mijn gegevens. Ik kan altijd zeggen dat ik het niet meer wil.
resident-submit = Versturen

resident-error-consent = Zet een vinkje als u het goed vindt dat het hulppunt uw gegevens gebruikt. Anders kunnen wij u niet terugbellen.
resident-error-name = Schrijf uw naam op (hoogstens 100 tekens).
resident-error-topics = Kies waarmee u hulp wilt.
resident-error-contact = Vul uw telefoonnummer óf uw e-mailadres in. Eén van de twee is genoeg.
resident-error-phone = Vul een telefoonnummer in met 10 cijfers, bijvoorbeeld 06 12345678.
resident-error-email = Dit e-mailadres klopt niet. Kijk of er een @ in staat.
resident-error-pc4 = Vul de vier cijfers van uw postcode in, bijvoorbeeld 3011.
resident-error-reason = Schrijf korter wat u nog wilt vertellen (hoogstens 500 tekens).
resident-error-no-point = Wij vonden geen hulppunt in de buurt voor deze vraag. Bel de gemeente of zoek een hulppunt in de hulpzoeker.
resident-error-other = Er klopt iets niet in het formulier. Kijk alles nog eens na.

resident-done-title = Wij hebben uw vraag
resident-done-next = Wat gebeurt er nu?
resident-done-step-1 = { $organisation } krijgt uw vraag.
resident-done-step-1-point = { $organisation } ({ $point }) krijgt uw vraag.
resident-done-step-2 = Zij bellen of mailen u uiterlijk op { $date }.
resident-done-step-3 = Samen spreekt u af hoe zij u helpen.
resident-done-withdraw = Wilt u toch geen hulp meer? Zeg dat als zij bellen. Dan wissen zij uw gegevens.
resident-done-back = Terug naar de hulpzoeker

resident-wait-title = Even wachten
resident-wait = Er zijn vanaf uw internetverbinding veel vragen tegelijk verstuurd. Probeer het over { $minutes } minuten opnieuw.
resident-wait-help = Heeft u nu hulp nodig? Ga langs bij een hulppunt of bel het.
