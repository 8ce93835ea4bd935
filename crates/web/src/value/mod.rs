//! The value of the help points (MKBA): the cost-benefit analysis of a municipality's registered outcomes with every assumption in sight, as JSON under `/api/v1/scba`.

pub(crate) mod api;
