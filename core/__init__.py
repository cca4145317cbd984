"""The ground floor: what every other package may use and that uses none of them.

`config` (the one config object), `clock` (the one clock), `formats` (Danish numbers and dates),
`errors` (the one validation-error shape)."""
