"""Great-circle distances, vectorised, on the same sphere as geopy.distance.great_circle."""
from __future__ import annotations

import numpy as np
# geopy's mean earth radius (geopy.distance.EARTH_RADIUS; a test holds the two equal), written
# out so that matching does not import geopy (a sixth of a second at every command's start).
EARTH_RADIUS_KM = 6371.009


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distance in km from one point to many (degrees in). Haversine is well conditioned for the
    short distances that matter here and agrees with geopy's great_circle to ~1e-9 km."""
    lat1, lon1 = np.radians(lat), np.radians(lon)
    lat2, lon2 = np.radians(lats), np.radians(lons)
    half_dlat = (lat2 - lat1) * 0.5
    half_dlon = (lon2 - lon1) * 0.5
    a = np.sin(half_dlat) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(half_dlon) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def lat_band_deg(radius_km: float) -> float:
    """Half-height in degrees of latitude of the band that holds every point within radius_km."""
    return np.degrees(radius_km / EARTH_RADIUS_KM)


def lon_band_deg(radius_km: float, max_abs_lat: float) -> float:
    """Half-width in degrees of longitude holding every point within radius_km for points at
    latitudes up to max_abs_lat; 180 (no filter) when the band reaches a pole."""
    if max_abs_lat >= 89.0:
        return 180.0
    return float(np.degrees(radius_km / (EARTH_RADIUS_KM * np.cos(np.radians(max_abs_lat)))))
