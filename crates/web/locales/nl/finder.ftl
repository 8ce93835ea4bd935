# De hulpzoeker: zoekformulier, resultaten, inbedden.

finder-title = Hulp bij digitale zaken in de buurt
finder-title-results = Hulp bij u in de buurt
finder-heading = Hulp bij digitale zaken, bij u in de buurt
finder-intro = Lukt iets niet op de computer of telefoon? Bijvoorbeeld uw belastingaangifte, DigiD of internetbankieren? In de bibliotheek en op andere plekken helpen mensen u. Dat is gratis.
finder-place-label = Uw postcode of woonplaats
finder-place-hint = Bijvoorbeeld 3011 AB, Rotterdam of Gent.
finder-topic-label = Waar wilt u hulp bij? (niet verplicht)
finder-topic-all = Alles
finder-topic-group = { $topic } (alles)
finder-more = Meer keuzes
finder-when = Wanneer wilt u gaan?
finder-when-any = Maakt niet uit
finder-when-today = Vandaag nog
finder-when-week = Deze week
finder-step-free = Zonder trappen bereikbaar (voor rolstoel of rollator)
finder-language = Hulp in een andere taal
finder-language-any = Maakt niet uit
finder-submit = Zoek hulp
finder-did-you-mean = Bedoelt u:
finder-check-spelling = Kijk of u de postcode goed heeft getypt. Of probeer de naam van uw woonplaats.
finder-results-heading = Hulp in de buurt van { $place }
finder-no-results = We vonden geen hulppunt dat past bij uw keuzes. Probeer minder keuzes, of kies "Alles" bij het onderwerp. U kunt ook bellen met uw gemeente.
finder-nothing-near = Binnen { $km } km van { $place } vonden we geen hulppunt dat past bij uw keuzes. Vraag bij uw gemeente of bij de bibliotheek waar u hulp kunt krijgen. Zij weten welke plekken er bij u in de buurt zijn.
finder-walking = Ongeveer { $km } km lopen
finder-helps-with = Helpt met: { $topics }
finder-partner-hours = Spreekuren van andere organisaties hier:
finder-share-heading = Deze lijst bewaren of delen
finder-share-text = Druk deze pagina af: dan heeft u de adressen en tijden op papier. Of stuur de link van deze pagina naar iemand anders:
map-label = Kaart met de plaatsen uit de lijst. De lijst geeft dezelfde informatie.

place-with-municipality = { $place } (gemeente { $municipality })
place-unknown = We kennen deze plaats of postcode niet. Kijk of u het goed hebt geschreven. U kunt ook een postcode met 4 cijfers proberen, zoals 3011.
place-unknown-suggestions = We kennen deze plaats of postcode niet. Bedoelt u misschien: { $suggestions }?
topic-unknown = Kies een onderwerp uit de lijst.

embed-title = Hulp bij digitale zaken zoeken
embed-heading = Hulp bij digitale zaken
embed-heading-in = Hulp bij digitale zaken in { $municipality }
embed-intro = U ziet hulppunten voor inwoners van { $municipality }.
embed-code-title = De hulpzoeker op uw eigen website
embed-code-intro = Gemeenten, bibliotheken en partners kunnen deze hulpzoeker op hun eigen website zetten. Kies de gemeente en eventueel een onderwerp. Kopieer dan de code hieronder naar uw website. De hulpzoeker werkt ook zonder JavaScript.
embed-code-municipality = Gemeente (code)
embed-code-municipality-hint = CBS-code zoals GM0599 (Rotterdam) of NIS-code zoals 44021 (Gent).
embed-code-topic = Onderwerp (niet verplicht)
embed-code-submit = Maak de code
embed-code-result = Uw code
embed-code-copy = Kopieer deze code naar de pagina op uw website:
embed-code-preview = Bekijk hoe het eruitziet
embed-municipality-unknown = Deze gemeentecode kennen we niet. Gebruik een CBS-code zoals GM0599 of een NIS-code zoals 44021.
embed-topic-unknown = Kies een onderwerp uit de lijst.
embed-snippet-title = Hulp bij digitale zaken zoeken in { $municipality }
embed-snippet-link = Zoek hulp bij digitale zaken in { $municipality }

status-temporarily-closed = Tijdelijk dicht
status-reopens-on = Weer open vanaf { $date }.
status-reopens-unknown = We weten nog niet wanneer het weer open gaat.
