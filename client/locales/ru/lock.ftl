# lock — ru
