# detail — ru
