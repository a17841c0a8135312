# form — ru
