# Hot spots and their alerts (hongmian/hotline/models/insights.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hotline', '0002_work_order_numbers_idempotency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Hotspot',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scanned_at', models.DateTimeField(db_index=True, verbose_name='扫描时间')),
                ('rank', models.PositiveSmallIntegerField(verbose_name='排名')),
                ('heat', models.FloatField(verbose_name='热度指数')),
                ('reports', models.PositiveIntegerField(verbose_name='工单数')),
                ('callers', models.PositiveIntegerField(verbose_name='诉求人数')),
                ('started_at', models.DateTimeField(verbose_name='首张工单时间')),
                ('ended_at', models.DateTimeField(verbose_name='最新工单时间')),
                ('place_code', models.CharField(blank=True, max_length=9, verbose_name='地点代码')),
                ('place_label', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                ('keywords', models.JSONField(default=list, verbose_name='关键词')),
                ('title', models.CharField(max_length=200, verbose_name='代表性标题')),
                ('order_ids', models.JSONField(default=list, verbose_name='工单')),
                ('bursting', models.BooleanField(default=False, verbose_name='正在激增')),
                ('details', models.JSONField(blank=True, default=dict, verbose_name='明细')),
                ('representative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='hotline.workorder', verbose_name='代表性工单')),
            ],
            options={
                'verbose_name': '热点诉求',
                'verbose_name_plural': '热点诉求',
                'ordering': ['-scanned_at', 'rank'],
            },
        ),
        migrations.CreateModel(
            name='HotspotAlert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('day', models.DateField(verbose_name='激增日期')),
                ('count', models.PositiveIntegerField(verbose_name='当日工单数')),
                ('expected', models.FloatField(verbose_name='预期工单数')),
                ('p_value', models.FloatField(verbose_name='显著性')),
                ('title', models.CharField(max_length=200, verbose_name='代表性标题')),
                ('keywords', models.JSONField(default=list, verbose_name='关键词')),
                ('place_label', models.CharField(blank=True, max_length=100, verbose_name='地点')),
                ('heat', models.FloatField(verbose_name='热度指数')),
                ('order_ids', models.JSONField(default=list, verbose_name='工单')),
                ('acknowledged_at', models.DateTimeField(blank=True, null=True, verbose_name='知悉时间')),
                ('acknowledged_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='知悉人')),
                ('representative', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='hotline.workorder', verbose_name='代表性工单')),
            ],
            options={
                'verbose_name': '热点预警',
                'verbose_name_plural': '热点预警',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddConstraint(
            model_name='hotspot',
            constraint=models.UniqueConstraint(fields=('scanned_at', 'rank'), name='hotline_hotspot_one_rank_per_scan'),
        ),
        migrations.AddIndex(
            model_name='hotspotalert',
            index=models.Index(condition=models.Q(('acknowledged_at__isnull', True)), fields=['created_at'], name='hotline_alert_open'),
        ),
        migrations.AddConstraint(
            model_name='hotspotalert',
            constraint=models.CheckConstraint(condition=models.Q(('acknowledged_at__isnull', True), ('acknowledged_by__isnull', False), _connector='OR'), name='hotline_alert_ack_has_person'),
        ),
    ]
