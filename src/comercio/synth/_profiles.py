"""Structure of the synthetic customs twin: products, department mixes, customs offices and destinations.

These are plausible *shapes*, not statistics: real 10-digit subpartidas (their first 8 digits are NANDINA
codes, checked by the tests against the NANDINA file), each department's well-known export base (mining in
the southern and central Andes, fruit on the coast, coffee and cacao in the Amazon slopes, fishmeal in
Áncash and Piura), the ports that serve each department (Callao 118 and 235 dominate; Matarani 145 in the
south; Paita 046 for Piura; Chancay 370 only from 2024-10-21), and destination mixes by product family.
Values are calibrated elsewhere (:mod:`comercio.synth._calibration`); this module only shapes the mix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    code: str  # 10-digit subpartida
    family: str  # destination family
    sector: str  # SUNAT G1-style sector
    line_usd: float  # typical value of one declaration line
    usd_per_kg: float
    unit: str
    description: str


_P = Product
PRODUCTS: tuple[Product, ...] = (
    _P("2603000000", "mineral", "Minero", 8e6, 2.5, "KG", "MINERALES DE COBRE Y SUS CONCENTRADOS"),
    _P("2608000000", "mineral", "Minero", 3e6, 1.2, "KG", "MINERALES DE CINC Y SUS CONCENTRADOS"),
    _P("2607000000", "mineral", "Minero", 3e6, 1.8, "KG", "MINERALES DE PLOMO Y SUS CONCENTRADOS"),
    _P("2616100000", "mineral", "Minero", 2e6, 3.0, "KG", "MINERALES DE PLATA Y SUS CONCENTRADOS"),
    _P("2613900000", "mineral", "Minero", 3e6, 25.0, "KG", "MINERALES DE MOLIBDENO Y SUS CONCENTRADOS"),
    _P("2601110000", "mineral", "Minero", 1e7, 0.1, "KG", "MINERALES DE HIERRO SIN AGLOMERAR"),
    _P("7108120000", "gold", "Minero", 1.5e6, 55_000.0, "KG", "ORO EN BRUTO"),
    _P("7403110000", "metal", "Minero", 3e6, 8.5, "KG", "CATODOS DE COBRE REFINADO"),
    _P("7901110000", "metal", "Minero", 1e6, 2.8, "KG", "CINC SIN ALEAR >= 99,99 %"),
    _P("8001100000", "metal", "Minero", 1e6, 25.0, "KG", "ESTANO SIN ALEAR"),
    _P("2709000000", "energy", "Petróleo y gas natural", 2e7, 0.5, "KG", "ACEITES CRUDOS DE PETROLEO"),
    _P("2711110000", "energy", "Petróleo y gas natural", 2e7, 0.35, "KG", "GAS NATURAL LICUADO"),
    _P("2301201100", "fish", "Pesquero", 1e6, 1.6, "KG", "HARINA DE PESCADO > 2 % GRASA"),
    _P("1504201000", "fish", "Pesquero", 8e5, 3.0, "KG", "ACEITE DE PESCADO EN BRUTO"),
    _P("0307430000", "fish", "Pesquero", 1.2e5, 2.5, "KG", "POTA CONGELADA"),
    _P("0306171100", "fish", "Pesquero", 8e4, 9.0, "KG", "LANGOSTINOS ENTEROS CONGELADOS"),
    _P("1604141000", "fish", "Pesquero", 1e5, 6.0, "KG", "CONSERVAS DE ATUN"),
    _P("0806100000", "fruit", "Agropecuario", 6e4, 2.2, "KG", "UVAS FRESCAS"),
    _P("0810400000", "fruit", "Agropecuario", 8e4, 6.0, "KG", "ARANDANOS FRESCOS"),
    _P("0804400000", "fruit", "Agropecuario", 5e4, 2.0, "KG", "PALTAS FRESCAS"),
    _P("0709200000", "fruit", "Agropecuario", 3e4, 3.0, "KG", "ESPARRAGOS FRESCOS"),
    _P("0804502000", "fruit", "Agropecuario", 3e4, 1.2, "KG", "MANGOS FRESCOS"),
    _P("0803901100", "fruit", "Agropecuario", 2.5e4, 0.7, "KG", "BANANAS ORGANICAS TIPO CAVENDISH"),
    _P("2005700000", "fruit", "Agropecuario", 2e4, 2.5, "KG", "ACEITUNAS PREPARADAS"),
    _P("0910110000", "fruit", "Agropecuario", 2.5e4, 1.5, "KG", "JENGIBRE SIN TRITURAR"),
    _P("1008509000", "fruit", "Agropecuario", 3e4, 3.0, "KG", "QUINUA"),
    _P("0801220000", "fruit", "Agropecuario", 5e4, 9.0, "KG", "NUECES DEL BRASIL SIN CASCARA"),
    _P("0703100000", "fruit", "Agropecuario", 2e4, 0.3, "KG", "CEBOLLAS FRESCAS"),
    _P("1701140000", "fruit", "Agropecuario", 1e5, 0.45, "KG", "AZUCAR DE CANA"),
    _P("0901119000", "coffee", "Agrícola", 8e4, 4.5, "KG", "CAFE SIN TOSTAR SIN DESCAFEINAR"),
    _P("1801001900", "coffee", "Agropecuario", 6e4, 3.0, "KG", "CACAO EN GRANO CRUDO"),
    _P("1511100000", "coffee", "Agropecuario", 2e5, 0.9, "KG", "ACEITE DE PALMA EN BRUTO"),
    _P("6109100031", "manuf", "Textil", 4e4, 25.0, "U", "T-SHIRT DE ALGODON"),
    _P("5105391000", "manuf", "Textil", 5e4, 20.0, "KG", "PELO FINO DE ALPACA PEINADO"),
    _P("4407299000", "manuf", "Maderas y papeles", 3e4, 0.8, "KG", "MADERA ASERRADA TROPICAL"),
    _P("4819100000", "manuf", "Maderas y papeles", 2e4, 1.5, "KG", "CAJAS DE PAPEL O CARTON CORRUGADO"),
    _P("8474900000", "manuf", "Metal-mecánico", 3e4, 10.0, "KG", "PARTES DE MAQUINAS PARA MINERIA"),
    _P("7326110000", "manuf", "Metal-mecánico", 6e4, 1.8, "KG", "BOLAS DE ACERO FORJADO PARA MOLINOS"),
    _P("7308909000", "manuf", "Metal-mecánico", 5e4, 2.5, "KG", "ESTRUCTURAS METALICAS Y SUS PARTES"),
    _P("8431439000", "manuf", "Metal-mecánico", 3e4, 15.0, "KG", "PARTES DE MAQUINAS DE PERFORACION"),
    _P("8413701900", "manuf", "Metal-mecánico", 2.5e4, 12.0, "U", "BOMBAS CENTRIFUGAS"),
    _P("8474201000", "manuf", "Metal-mecánico", 8e4, 8.0, "U", "QUEBRANTADORES GIRATORIOS DE CONOS"),
    _P("8428390000", "manuf", "Metal-mecánico", 5e4, 6.0, "U", "TRANSPORTADORES CONTINUOS"),
    _P("8537109000", "manuf", "Metal-mecánico", 3e4, 20.0, "U", "TABLEROS DE CONTROL ELECTRICO"),
    _P("7318159000", "manuf", "Metal-mecánico", 1.5e4, 4.0, "KG", "PERNOS Y TORNILLOS DE ACERO"),
    _P("8708991900", "manuf", "Metal-mecánico", 2e4, 8.0, "KG", "PARTES DE VEHICULOS AUTOMOVILES"),
    _P("8504409000", "manuf", "Metal-mecánico", 2e4, 25.0, "U", "CONVERTIDORES ESTATICOS"),
    _P("7214200000", "manuf", "Sidero-metalúrgico", 5e4, 0.7, "KG", "BARRAS DE HIERRO CORRUGADAS"),
    _P("2807001000", "manuf", "Químico", 2e5, 0.08, "KG", "ACIDO SULFURICO"),
    _P("2510100000", "manuf", "Minería no metálica", 5e5, 0.1, "KG", "FOSFATOS DE CALCIO NATURALES"),
)
BY_CODE = {p.code: p for p in PRODUCTS}

_DIVERSE = {"6109100031": 15, "5105391000": 4, "8474900000": 3, "7214200000": 8, "2807001000": 5,
            "4819100000": 6, "1604141000": 4, "0709200000": 5, "0810400000": 5, "7108120000": 15,
            "7901110000": 10, "2711110000": 15, "7326110000": 1, "7308909000": 1, "8431439000": 0.5,
            "8413701900": 0.5, "8474201000": 0.5, "8428390000": 0.5, "8537109000": 0.5, "7318159000": 0.3,
            "8708991900": 0.3, "8504409000": 0.3}  # fmt: skip

# Value shares by department (2-digit ubigeo). "99" (not registered) gets a diverse mix.
DEPARTMENT_MIX: dict[str, dict[str, float]] = {
    "01": {"0901119000": 85, "1801001900": 10, "4407299000": 5},
    "02": {
        "2603000000": 55,
        "2608000000": 20,
        "2613900000": 5,
        "2301201100": 12,
        "1504201000": 5,
        "0709200000": 3,
    },
    "03": {"2603000000": 97, "2613900000": 3},
    "04": {
        "2603000000": 60,
        "7108120000": 15,
        "2613900000": 10,
        "5105391000": 5,
        "0703100000": 5,
        "2005700000": 5,
    },
    "05": {"7108120000": 60, "2608000000": 20, "2616100000": 15, "1008509000": 5},
    "06": {"7108120000": 70, "2603000000": 20, "0901119000": 10},
    "07": {
        "2711110000": 20,
        "7214200000": 20,
        "8474900000": 8,
        "7326110000": 4,
        "7308909000": 4,
        "8537109000": 2,
        "8413701900": 2,
        "6109100031": 15,
        "4819100000": 15,
        "2807001000": 10,
    },
    "08": {"2603000000": 70, "7108120000": 10, "2711110000": 15, "0901119000": 5},
    "09": {"2608000000": 50, "2607000000": 30, "2616100000": 20},
    "10": {"2608000000": 60, "1801001900": 25, "0901119000": 15},
    "11": {
        "0806100000": 25,
        "0709200000": 15,
        "0810400000": 10,
        "2601110000": 25,
        "8001100000": 20,
        "0804400000": 5,
    },
    "12": {"2608000000": 35, "2603000000": 25, "2607000000": 10, "0901119000": 20, "0910110000": 10},
    "13": {
        "7108120000": 35,
        "0810400000": 20,
        "0709200000": 15,
        "0804400000": 15,
        "1701140000": 10,
        "0806100000": 5,
    },
    "14": {"0810400000": 30, "0804400000": 25, "0804502000": 20, "1701140000": 15, "0806100000": 10},
    "15": {**_DIVERSE},
    "16": {"2709000000": 90, "4407299000": 10},
    "17": {"7108120000": 85, "0801220000": 10, "4407299000": 5},
    "18": {"2603000000": 60, "7403110000": 30, "2613900000": 10},
    "19": {"2608000000": 50, "2607000000": 30, "2616100000": 20},
    "20": {
        "2301201100": 15,
        "0307430000": 15,
        "0804502000": 15,
        "0806100000": 15,
        "0803901100": 10,
        "2510100000": 15,
        "2709000000": 10,
        "1504201000": 5,
    },
    "21": {"7108120000": 60, "8001100000": 25, "1008509000": 10, "5105391000": 5},
    "22": {"0901119000": 55, "1801001900": 25, "1511100000": 20},
    "23": {"2603000000": 85, "2005700000": 10, "2613900000": 5},
    "24": {"0306171100": 85, "0803901100": 15},
    "25": {"1511100000": 40, "4407299000": 40, "1801001900": 20},
    "99": {**_DIVERSE, "0810400000": 10, "0806100000": 10, "0901119000": 8, "2603000000": 10},
}

# (office, transport mode, weight) by department; the rest of Peru ships through Callao.
_CALLAO = (("118", "1", 70.0), ("235", "4", 30.0))
OFFICES: dict[str, tuple[tuple[str, str, float], ...]] = {
    "02": (("091", "1", 50.0), ("118", "1", 50.0)),
    "03": (("145", "1", 90.0), ("118", "1", 10.0)),
    "04": (("145", "1", 80.0), ("154", "4", 5.0), ("118", "1", 15.0)),
    "08": (("145", "1", 80.0), ("190", "4", 5.0), ("118", "1", 15.0)),
    "11": (("127", "1", 50.0), ("136", "1", 25.0), ("118", "1", 25.0)),
    "13": (("082", "1", 60.0), ("118", "1", 30.0), ("235", "4", 10.0)),
    "14": (("046", "1", 40.0), ("118", "1", 50.0), ("235", "4", 10.0)),
    "16": (("226", "2", 80.0), ("118", "1", 20.0)),
    "17": (("280", "7", 30.0), ("235", "4", 70.0)),
    "18": (("163", "1", 90.0), ("145", "1", 10.0)),
    "20": (("046", "1", 75.0), ("028", "1", 15.0), ("118", "1", 10.0)),
    "21": (("145", "1", 50.0), ("262", "7", 20.0), ("235", "4", 30.0)),
    "23": (("163", "1", 60.0), ("172", "7", 30.0), ("145", "1", 10.0)),
    "24": (("019", "7", 40.0), ("046", "1", 60.0)),
    "25": (("217", "2", 40.0), ("118", "1", 60.0)),
}
AIR_SHARE = {"gold": 0.9, "fruit": 0.08, "manuf": 0.15}
CHANCAY_FROM = "2024-10-21"
CHANCAY_SHARE = 0.25  # share of Callao maritime declarations moved to Chancay after it opened

DESTINATIONS: dict[str, dict[str, float]] = {
    "mineral": {
        "CN": 55,
        "JP": 9,
        "KR": 10,
        "IN": 6,
        "ES": 5,
        "CA": 3,
        "US": 3,
        "DE": 3,
        "BR": 2,
        "CH": 2,
        "CL": 2,
    },
    "gold": {"CH": 35, "CA": 25, "US": 20, "IN": 15, "AE": 5},
    "metal": {"CN": 35, "US": 20, "IT": 8, "BR": 8, "KR": 7, "TW": 5, "CO": 5, "NL": 5, "CL": 4, "EC": 3},
    "energy": {"US": 25, "ES": 20, "KR": 15, "JP": 10, "CN": 10, "CL": 10, "EC": 5, "NL": 5},
    "fish": {"CN": 55, "JP": 6, "DE": 5, "VN": 7, "TW": 6, "CL": 4, "EC": 4, "ES": 6, "US": 7},
    "fruit": {
        "US": 38,
        "NL": 20,
        "GB": 8,
        "ES": 7,
        "CN": 10,
        "CA": 5,
        "KR": 3,
        "HK": 2,
        "CL": 3,
        "JP": 2,
        "DE": 2,
    },
    "coffee": {"US": 30, "DE": 25, "BE": 10, "CA": 8, "SE": 5, "KR": 7, "JP": 7, "CO": 3, "NL": 5},
    "manuf": {"US": 28, "CL": 15, "EC": 12, "BO": 12, "CO": 10, "MX": 6, "BR": 5, "CA": 4, "ES": 4, "IN": 4},
}


def offices_for(department: str) -> tuple[tuple[str, str, float], ...]:
    return OFFICES.get(department, _CALLAO)
