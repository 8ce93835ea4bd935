# De pagina "Gegevens voor websites en systemen": API, HSDS en downloads in gewone woorden.

data-title = Gegevens voor websites en systemen
data-intro = keten deelt de gegevens over hulppunten openlijk. Websites, apps en systemen van gemeenten, bibliotheken en partners mogen ze gebruiken. Hier leest u hoe dat werkt.
data-embed-heading = De hulpzoeker op uw eigen website
data-embed = Wilt u alleen de hulpzoeker op uw website laten zien? Dat kan zonder programmeren.
data-embed-link = Maak de code voor uw website
data-api-heading = De API: gegevens voor andere systemen
data-api-what = Een API is een vaste manier waarop computers elkaar om gegevens vragen. De API van keten staat op /api/v1. Het antwoord is JSON: gewone tekst die een computer kan lezen.
data-api-public = Hulppunten zoeken mag iedereen, zonder account. Dit voorbeeld geeft de hulppunten bij postcode 3011:
data-api-token = Vragen registreren of mensen doorverwijzen mag alleen een organisatie die meedoet. Zij krijgt daarvoor een sleutel (API-token). Met die sleutel ziet een systeem alleen wat die organisatie ook op de website ziet.
data-hsds-heading = Open Referral (HSDS)
data-hsds = keten geeft de hulppunten ook in HSDS 3.0. Dat is een internationale standaard voor gegevens over hulp en diensten. Zo kunnen sociale kaarten en andere verwijssystemen de hulppunten overnemen. Bijvoorbeeld:
data-hsds-files = De beheerder van keten kan alle hulppunten ook als bestanden in dezelfde standaard maken en inlezen.
data-exports-heading = Downloaden
data-export-help-points = Wie hulppunten bijhoudt, downloadt ze als Excel of CSV bij "Mijn hulppunten". Na een wijziging leest u hetzelfde bestand weer in.
data-export-questions = Een hulppunt downloadt zijn geregistreerde vragen als Excel of CSV bij het overzicht van de balie. Daar staan nooit namen in.
data-export-referrals = De gemeente downloadt de doorverwijzingen in cijfers als CSV. Ook daar staan geen namen in.
data-openapi-heading = Alle adressen van de API
data-openapi = De volledige beschrijving staat in een OpenAPI-document. Dat is een standaard die ontwikkelaars en hun programma's kunnen lezen:
data-openapi-list = Lijst van alle { $count } adressen (beschrijving in het Engels)
data-openapi-method = Soort
data-openapi-path = Adres
data-openapi-summary = Wat het doet
data-viewer-label = Beschrijving van de API (in het Engels)
