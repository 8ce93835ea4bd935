# The page "Data for websites and systems": API, HSDS and downloads in plain words.

data-title = Data for websites and systems
data-intro = keten shares the data about help points openly. Websites, apps and systems of municipalities, libraries and partners may use them. Here you read how that works.
data-embed-heading = The help finder on your own website
data-embed = Do you only want to show the help finder on your website? You can do that without programming.
data-embed-link = Make the code for your website
data-api-heading = The API: data for other systems
data-api-what = An API is a fixed way in which computers ask each other for data. keten's API is at /api/v1. The answer is JSON: plain text that a computer can read.
data-api-public = Anyone may search for help points, without an account. This example gives the help points near postcode 3011:
data-api-token = Only an organisation that takes part may register questions or refer people. It gets a key (API token) for this. With that key a system sees only what that organisation also sees on the website.
data-hsds-heading = Open Referral (HSDS)
data-hsds = keten also gives the help points in HSDS 3.0. That is an international standard for data about help and services. So social maps and other referral systems can take over the help points. For example:
data-hsds-files = keten's administrator can also make and read all help points as files in the same standard.
data-exports-heading = Downloads
data-export-help-points = Whoever keeps help points up to date downloads them as Excel or CSV under "Mijn hulppunten". After a change, you read the same file in again.
data-export-questions = A help point downloads its registered questions as Excel or CSV from the desk overview. Names are never in it.
data-export-referrals = The municipality downloads the referrals in figures as CSV. Names are not in it either.
data-openapi-heading = All addresses of the API
data-openapi = The full description is in an OpenAPI document. That is a standard that developers and their programs can read:
data-openapi-list = List of all { $count } addresses
data-openapi-method = Kind
data-openapi-path = Address
data-openapi-summary = What it does
data-viewer-label = Description of the API
