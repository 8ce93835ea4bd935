# The stakeholder map of a municipality's chain: the texts of its two pictures.

stakeholders-grid-title = Power and interest of the stakeholders
stakeholders-grid-description = A 5 by 5 grid with { $count } numbered organisations. Left to right: interest, from 1 (little) to 5 (much). Bottom to top: power, from 1 to 5. The four fields say how to deal with an organisation. A filled circle is an organisation in keten, an open circle one outside keten. The table beside it gives the same figures.
stakeholders-grid-interest = Interest
stakeholders-grid-power = Power
stakeholders-wheel-title = Stakeholders per sector
stakeholders-wheel-description = A ring with { $count } organisations across the five sectors of the quadruple helix: public, civil society, private, knowledge and citizens. The table beside it gives the same figures.
