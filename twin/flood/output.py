"""The ``flood`` model's records as a CF Dataset (kept apart from the model's rules)."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

__all__ = ["flood_dataset"]

_MONEY = {"units": "1", "currency": "GBP", "price_base_year": 2017}


def flood_dataset(model: Any) -> xr.Dataset:
    """Depth maps, damage, EAD, people and services of a finished :class:`FloodModel` run."""
    place, p = model.place, model.params
    zones = list(place.zone_codes)
    rp = xr.IndexVariable("return_period", model.rps, {"units": "year", "long_name": "return period"})
    g = place.grid
    time = np.asarray(model.drivers.time)[: len(model.daily["closed"])]

    def zt(key):
        return (("time", "zone"), np.array(model.daily[key], dtype=np.float32).reshape(len(time), len(zones)))

    unmet = np.stack([np.array(model.daily["unmet_f2f"]), np.array(model.daily["unmet_phone"])], axis=-1)
    served = np.stack([np.array(model.daily["served_f2f"]).sum(0), np.array(model.daily["served_phone"]).sum(0)], axis=-1)
    ny, nx = g["elevation"].shape
    cells = np.array([model._cell_of(a) for a in model.agents_list], np.int64)
    on_cell = np.bincount(cells, minlength=ny * nx).reshape(ny, nx).astype(np.int16)
    closed_on_cell = np.stack([np.bincount(cells, weights=c, minlength=ny * nx).reshape(ny, nx)
                               for c in np.asarray(model.closed_by_service, float).reshape(len(model.rps), -1)])
    closed_on_cell = closed_on_cell.astype(np.int16)
    ds = xr.Dataset(
        {
            "max_depth": (("return_period", "y", "x"), model.max_depth.astype(np.float32),
                          {"units": "m", "long_name": "maximum flood depth of the design event"}),
            "flood_damage": (("return_period", "zone"), model.damage,
                             {**_MONEY, "long_name": "flood damage to buildings of the design event"}),
            "expected_annual_damage": (("zone",), model.ead,
                                       {"units": "year-1", "currency": "GBP", "price_base_year": 2017,
                                        "long_name": "expected annual flood damage (trapezoid over AEP)",
                                        "truncation": f"no damage at AEP of 1-in-{p.damage.threshold_rp:g} years; "
                                                      "tail: rarest event's damage x its AEP"}),
            "displaced": (("return_period", "zone"), model.displaced.astype(np.float32),
                          {"units": "person", "long_name": "residents displaced from flooded homes"}),
            "nearest_service_lost": (("return_period", "zone"), model.lost.astype(np.float32),
                                     {"units": "person", "long_name": "residents whose nearest face-to-face service is "
                                                                 "closed or cut off by water"}),
            "no_service_alternative": (("return_period", "zone"), model.no_alt.astype(np.float32),
                                       {"units": "person", "long_name": "residents who lost their nearest face-to-face "
                                                                   "service and have no open, reachable one within "
                                                                   f"{p.people.alternative_m:g} m"}),
            # services by grid cell, not by service: an option that adds services (a cooling centre, an
            # outreach team) must not change the shape of the flood records of a combined run
            "services_on_cell": (("y", "x"), on_cell, {"units": "1", "long_name": "services sited on the cell"}),
            "services_closed_on_cell": (("return_period", "y", "x"), closed_on_cell,
                                        {"units": "1", "long_name": "services on the cell closed by flood water"}),
            "services_closed": (("return_period",), model.closed_count.astype(np.float32),
                                {"units": "service", "long_name": "services closed by flood water"}),
            "displaced_residents": zt("displaced") + ({"units": "person day", "long_name": "residents out of their homes "
                                                       f"after the 1-in-{p.people.response_return_period:g} event"},),
            "services_closed_daily": (("time",), np.array(model.daily["closed"], np.float32),
                                      {"units": "service", "long_name": "services still closed after the response event"}),
            "welfare_need": zt("need") + ({"units": "person day", "long_name": "vulnerable residents of flooded homes "
                                                                   "awaiting a welfare contact"},),
            "welfare_unmet": (("time", "zone", "welfare_channel"), unmet.astype(np.float32),
                              {"units": "contact", "long_name": "welfare contacts sought and not made that day, by channel"}),
            "welfare_served": (("zone", "welfare_channel"), served.astype(np.float32),
                               {"units": "contact", "long_name": "welfare contacts made over the run, by channel"}),
            "dwellings": (("zone",), model.properties[0], {"units": "1", "long_name": "dwellings (residents / household size)"}),
            "business_properties": (("zone",), model.properties[1], {"units": "1", "long_name": "business properties"}),
        },
        coords={"return_period": rp, "zone": zones, "time": time, "y": g["y"], "x": g["x"],
                "welfare_channel": ["face_to_face", "phone"]},
        attrs={
            "flood_rainfall_uplift": float(model.drivers.uplift),
            "flood_design_rainfall_mm": ", ".join(f"1-in-{s.return_period:g}: {s.depth_mm:.1f}" for s in model.drivers.storms),
            "flood_ddf_source": model.drivers.ddf.source,
            "flood_mass_balance_error_m3": float(model.mass_error),
            "flood_response_return_period": float(p.people.response_return_period),
            "flood_solver": "local inertial (Bates 2010; de Almeida 2012), twin.flood.solver",
        },
    )
    inputs = model.drivers.inputs
    if inputs is not None:  # this replicate's draws of the uncertain inputs (twin.flood.uncertainty)
        ds["flood_design_depth_factor"] = ((), inputs.design_depth_factor,
                                           {"units": "1", "long_name": "factor on the design rainfall depths drawn "
                                                                       "for this replicate"})
        ds["flood_uplift_per_degC"] = ((), inputs.uplift_per_degC,
                                       {"units": "1", "long_name": "growth of hourly rainfall extremes per degC of "
                                                                   "summer warming drawn for this replicate"})
        ds["flood_value_per_dwelling"] = ((), inputs.value_per_dwelling_gbp,
                                          {**_MONEY, "long_name": "damageable value per dwelling drawn for this replicate"})
        ds["flood_value_per_business"] = ((), inputs.value_per_business_gbp,
                                          {**_MONEY, "long_name": "damageable value per business property drawn for "
                                                                  "this replicate"})
    ds["expected_annual_damage_total"] = ((), float(model.ead.sum()),
                                          {"units": "year-1", "currency": "GBP", "price_base_year": 2017,
                                           "long_name": "expected annual flood damage, whole place"})
    return ds
