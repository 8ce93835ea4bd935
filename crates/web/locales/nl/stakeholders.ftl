# The stakeholder map of a municipality's chain: the texts of its two pictures.

stakeholders-grid-title = Invloed en belang van de belanghebbenden
stakeholders-grid-description = Een raster van 5 bij 5 met { $count } genummerde organisaties. Links naar rechts: belang, van 1 (weinig) tot 5 (veel). Onder naar boven: invloed, van 1 tot 5. De vier vakken zeggen hoe u met een organisatie omgaat. Een gevulde cirkel is een organisatie in keten, een open cirkel een organisatie buiten keten. De tabel ernaast geeft dezelfde cijfers.
stakeholders-grid-interest = Belang
stakeholders-grid-power = Invloed
stakeholders-wheel-title = Belanghebbenden per sector
stakeholders-wheel-description = Een ring met { $count } organisaties, verdeeld over de vijf sectoren van de quadruple helix: overheid, maatschappelijk, bedrijfsleven, kennisinstellingen en inwoners. De tabel ernaast geeft dezelfde cijfers.
